import { zipSync, type Zippable } from "fflate";
import { float32LittleEndian, type NamedTensor } from "./tensors.js";

const NPY_MAGIC = [0x93, ...new TextEncoder().encode("NUMPY")];

/**
 * One .npy file, format version 1.0: the magic "\x93NUMPY", version 1 0, a 2-byte little-endian
 * header length, then an ASCII Python dict literal padded with spaces and ended by "\n" so the
 * data starts at a multiple of 64 bytes, then the little-endian float32 data in C order.
 */
export function encodeNpy(tensor: Pick<NamedTensor, "shape" | "data">): Uint8Array {
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(", ")})`;
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const prefix = NPY_MAGIC.length + 2 + 2;
  dict += " ".repeat((64 - ((prefix + dict.length + 1) % 64)) % 64) + "\n";
  const header = new TextEncoder().encode(dict);
  const out = new Uint8Array(prefix + header.length + tensor.data.length * 4);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(header, prefix);
  out.set(float32LittleEndian(tensor.data), prefix + header.length);
  return out;
}

// A fixed timestamp, so the same weights always give the same bytes.
const MTIME = new Date(Date.UTC(2000, 0, 1));

/**
 * An .npz file as numpy.savez writes it: a zip holding one `<name>.npy` per tensor (stored,
 * uncompressed), plus `metadata.json` with the network spec (numpy.load returns its bytes).
 */
export function encodeNpz(tensors: readonly NamedTensor[], metadata: Record<string, string>): Uint8Array {
  const files: Zippable = {};
  for (const t of tensors) files[`${t.name}.npy`] = [encodeNpy(t), { level: 0, mtime: MTIME }];
  files["metadata.json"] = [new TextEncoder().encode(`${JSON.stringify(metadata)}\n`), { level: 0, mtime: MTIME }];
  return zipSync(files);
}
