#!/usr/bin/env node
// The nq command. A file that exists before the build, so package managers can link it; the CLI itself is dist/bin.js.
import "../dist/bin.js";
