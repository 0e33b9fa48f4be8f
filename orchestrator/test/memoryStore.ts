// Tests use the engine's own in-memory store.
export { MemoryStateStore as MemoryStore } from '../src/store/memoryStateStore';
