// The part of the WebAssembly JS API this package uses. Node 20 has it at run time; the
// project's TypeScript libs (ES2022 + @types/node 20) do not declare it. Only internal modules
// refer to it, so the published declaration files do not need it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
}
type BufferSource = ArrayBufferView | ArrayBuffer;
