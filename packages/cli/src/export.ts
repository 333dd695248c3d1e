import { extname } from "node:path";
import { ConfigError, type Checkpoint } from "@natural-quantization/core";
import { encodeNpz } from "./portable/npz.js";
import { encodeSafetensors } from "./portable/safetensors.js";
import { exportMetadata, namedTensors } from "./portable/tensors.js";

export const EXPORT_FORMATS = ["safetensors", "npz"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The format asked for, else the one the output file's extension names. */
export function exportFormat(format: string | undefined, out: string): ExportFormat {
  const f = format ?? extname(out).slice(1).toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(f)) {
    throw new ConfigError("format", format ?? out, `${EXPORT_FORMATS.join(" or ")} (or an --out ending in .safetensors or .npz)`);
  }
  return f as ExportFormat;
}

/** What nq export writes, recognised by its first bytes: a safetensors header, or a zip (npz). */
export const EXPORTED_WEIGHTS = {
  name: "a safetensors or npz file",
  recognise: (head: Uint8Array): boolean => {
    const zip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
    // safetensors: an 8-byte little-endian header length, then the JSON header.
    const safetensors = head.length > 8 && head[8] === 0x7b && head[6] === 0 && head[7] === 0;
    return zip || safetensors;
  },
};

/** The bytes of a network's weights in a format numpy, PyTorch or JAX users read without this project. */
export function encodeExport(ck: Checkpoint, format: ExportFormat): Uint8Array {
  const tensors = namedTensors(ck.weights);
  const metadata = exportMetadata(ck);
  return format === "safetensors" ? encodeSafetensors(tensors, metadata) : encodeNpz(tensors, metadata);
}
