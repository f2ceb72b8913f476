/** A FIFO of frames that counts its bytes; O(1) push and shift (no `Array.shift` copying). */
export class FrameQueue {
  private items: Uint8Array[] = [];
  private head = 0;
  /** Bytes of all queued frames. */
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(frame: Uint8Array): void {
    this.items.push(frame);
    this.bytes += frame.byteLength;
  }

  shift(): Uint8Array | undefined {
    const frame = this.items[this.head];
    if (frame === undefined) return undefined;
    this.items[this.head++] = EMPTY;
    this.bytes -= frame.byteLength;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

const EMPTY = new Uint8Array(0);
