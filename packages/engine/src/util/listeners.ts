/** A minimal listener set: `add` returns its own unsubscribe, `emit` isolates listener errors. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(...args: A): void {
    for (const listener of this.set) {
      try {
        listener(...args);
      } catch {
        // A failing listener must not stop delivery to the others or break the engine.
      }
    }
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
  }
}
