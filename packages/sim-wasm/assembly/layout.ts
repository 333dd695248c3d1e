// Memory layouts shared by several kernels (the JavaScript side mirrors BLOCK as BLOCK_ROWS in
// src/wasm-backend.ts and sizes every thread's scratch area from them).

/** Bytes of a row-list entry in scratch: i32 byte offset of a row of B, then its f32 coefficient. */
export const ENTRY: usize = 8;

/** Vectors per column tile of a sign table (32 floats, 128 bytes); rows of a tile slab are 128 bytes. */
export const TILE: i32 = 8;
/** Bytes of the 16 entries of one chunk (4 rows of B) in one tile slab. */
export const CHUNK_BYTES: usize = 16 * 128;
/** Rows of a table product computed together, so that one tile slab of the table serves all of them. */
export const BLOCK: i32 = 32;
