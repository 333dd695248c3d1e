#!/usr/bin/env node
// Builds the addon with the system C++ compiler, without node-gyp and without downloading
// anything: the Node-API headers come from the node-api-headers package when it is installed,
// else from Node's own include directory.
//
//   node scripts/build-native.mjs  -> build/Release/sim_native.node (node-gyp-build loads it first)
//                                     and, on linux-x64 (or with --prebuild), the binary shipped in
//                                     the npm package: prebuilds/<platform>-<arch>/node.napi.glibc.node
//                                     (prebuildify's layout; libstdc++ and libgcc linked statically,
//                                     so it runs wherever glibc does)
//   --no-prebuild: only build/Release
//
// x86-64 gets three kernel objects (AVX-512, AVX2 + FMA, portable SSE2) chosen at load time;
// any other architecture (aarch64: NEON through the vector extensions) gets the portable kernels only.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const prebuild = !process.argv.includes("--no-prebuild") && (process.argv.includes("--prebuild") || (platform() === "linux" && arch() === "x64"));
const cxx = process.env.CXX || "g++";

function headers() {
  try {
    const dir = createRequire(join(root, "package.json"))("node-api-headers").include_dir;
    if (existsSync(join(dir, "node_api.h"))) return dir;
  } catch {
    // not installed: Node's own headers below
  }
  for (const dir of [join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node", "/usr/local/include/node"]) {
    if (existsSync(join(dir, "node_api.h"))) return dir;
  }
  fail("no Node-API headers found (install the node-api-headers package, or Node's headers: the Debian package libnode-dev)");
}

function fail(message) {
  process.stderr.write(`sim-native build: ${message}\n`);
  process.exit(1);
}

const x86 = process.arch === "x64" || process.arch === "ia32";
const units = [
  ["addon.cc", []],
  ["kernels_portable.cc", x86 ? ["-msse2"] : []],
  ...(x86
    ? [
        ["kernels_avx2.cc", ["-mavx2", "-mfma", "-mpopcnt", "-mbmi", "-mbmi2"]],
        ["kernels_avx512.cc", ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mfma", "-mpopcnt", "-mbmi", "-mbmi2", "-mprfchw", "-mprefer-vector-width=512"]],
      ]
    : []),
];

const include = headers();
const common = ["-std=c++20", "-O3", "-fPIC", "-fvisibility=hidden", "-fno-exceptions", "-fno-rtti", "-pthread", "-Wall", "-Wno-unused-function", "-Wno-maybe-uninitialized",
  `-I${include}`, "-DNAPI_VERSION=8", "-DNODE_GYP_MODULE_NAME=sim_native", "-DBUILDING_NODE_EXTENSION"];
if (!x86) common.push("-DNQ_NO_X86");
const objDir = join(root, "build", "obj");
mkdirSync(objDir, { recursive: true });
const objects = [];
for (const [file, flags] of units) {
  const obj = join(objDir, file.replace(/\.cc$/, ".o"));
  const args = [...common, ...flags, "-c", join(root, "native", file), "-o", obj];
  try {
    execFileSync(cxx, args, { stdio: "inherit" });
  } catch {
    fail(`${cxx} failed on native/${file} (needs g++ >= 10; on Debian: apt-get install g++)`);
  }
  objects.push(obj);
}
function link(out, extra) {
  mkdirSync(dirname(out), { recursive: true });
  try {
    execFileSync(cxx, ["-shared", "-pthread", "-o", `${out}.tmp`, ...objects, ...extra], { stdio: "inherit" });
  } catch {
    fail(`${cxx} could not link ${out}`);
  }
  renameSync(`${out}.tmp`, out);
  process.stdout.write(`sim-native: built ${out}\n`);
}
link(join(root, "build", "Release", "sim_native.node"), []);
if (prebuild) link(join(root, "prebuilds", `${platform()}-${arch()}`, "node.napi.glibc.node"), ["-static-libstdc++", "-static-libgcc", "-s"]);
rmSync(objDir, { recursive: true, force: true });
process.stdout.write(`sim-native: Node-API headers from ${include}\n`);
