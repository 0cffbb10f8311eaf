// A bounded least-recently-used map (Map keeps insertion order; a hit re-inserts its key when it has
// drifted into the older half, so a hot key costs one lookup per hit, not a delete and an insert).

interface Slot<V> {
  value: V;
  /** The insertion count when this key was last (re)inserted. */
  inserted: number;
}

/** Holds at most `capacity` entries, evicting the least recently used. */
export class Lru<V> {
  readonly #entries = new Map<string, Slot<V>>();
  readonly #capacity: number;
  #insertions = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): V | undefined {
    const slot = this.#entries.get(key);
    if (slot === undefined) return undefined;
    // Fewer than capacity/2 keys inserted since: at least that many more insertions before eviction.
    if (this.#insertions - slot.inserted >= this.#capacity / 2) {
      this.#entries.delete(key);
      this.#entries.set(key, slot);
      slot.inserted = ++this.#insertions;
    }
    return slot.value;
  }

  set(key: string, value: V): void {
    if (this.#capacity <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, inserted: ++this.#insertions });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
