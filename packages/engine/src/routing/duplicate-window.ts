/**
 * The ids of the last `capacity` pool messages seen. The spanning-tree broadcast delivers each
 * message once; this window is the safety net for the moments when views disagree during a
 * topology change (RT5). Insertion-ordered, so eviction drops the oldest id.
 */
export class DuplicateWindow {
  private readonly ids = new Set<string>();

  constructor(readonly capacity = 16_384) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Record `id`; returns false when it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.ids.size;
  }
}
