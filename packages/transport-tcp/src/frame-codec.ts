import { TcpError } from './errors.js';

/**
 * The byte stream of a link, inside TLS: frames of a 5-byte header (tag, then the payload's
 * length as a big-endian uint32) and the payload.
 *
 *   CONTROL, BULK  the engine's channels            payload: the frame
 *   BEAT           liveness, see `heartbeat.ts`     payload: empty
 *   HELLO          first frame of the dialler       payload: version byte, session id (ASCII)
 *   NOMINATE       the initiator picks this socket  payload: empty
 *   BYE            the sender closes the link       payload: empty
 */
export const Tag = {
  CONTROL: 0,
  BULK: 1,
  BEAT: 2,
  HELLO: 3,
  NOMINATE: 4,
  BYE: 5,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

export const HEADER_BYTES = 5;
const HELLO_VERSION = 1;
const EMPTY = Buffer.alloc(0);
const MAX_HELLO_BYTES = 64;

/** A frame header; small, so it comes from Node's shared pool (`allocUnsafe`). */
export function frameHeader(tag: Tag, length: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header[0] = tag;
  header.writeUInt32BE(length, 1);
  return header;
}

export function helloPayload(session: string): Uint8Array {
  return Buffer.from([HELLO_VERSION, ...Buffer.from(session, 'ascii')]);
}

/** The session id of a HELLO payload, or undefined when it is not one. */
export function readHello(payload: Uint8Array): string | undefined {
  if (payload.byteLength < 2 || payload.byteLength > MAX_HELLO_BYTES) return undefined;
  if (payload[0] !== HELLO_VERSION) return undefined;
  const session = Buffer.from(payload.buffer, payload.byteOffset + 1, payload.byteLength - 1);
  const text = session.toString('latin1');
  return /^[0-9a-z]{8,32}$/.test(text) ? text : undefined;
}

/**
 * Cuts a byte stream into frames. A payload inside one received chunk is handed on as a view
 * (no copy); one split across chunks is copied once. A header with an unknown tag or a length
 * above `maxPayload` is a broken stream: `onError` gets `BAD_FRAME` and nothing more is read.
 * `onFrame` is read at each frame, so a handler may replace it mid-chunk (the opening hands
 * the stream to the link that way, without losing the frames behind the one that opened it).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private tag: Tag | undefined;
  private need = 0;
  private stopped = false;

  constructor(
    private readonly maxPayload: number,
    public onFrame: (tag: Tag, payload: Uint8Array) => void,
    private readonly onError: (error: TcpError) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped || chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    while (!this.stopped) {
      if (this.tag === undefined) {
        if (this.buffered < HEADER_BYTES) return;
        const header = this.take(HEADER_BYTES);
        const tag = header[0]!;
        const length = header.readUInt32BE(1);
        if (tag > Tag.BYE) return this.fail(`unknown frame tag ${tag}`);
        if (length > this.maxPayload) {
          return this.fail(`frame of ${length} bytes exceeds ${this.maxPayload}`);
        }
        this.tag = tag as Tag;
        this.need = length;
      }
      if (this.buffered < this.need) return;
      const payload = this.take(this.need);
      const tag = this.tag;
      this.tag = undefined;
      // A plain Uint8Array view: Buffer's `slice` does not copy, and receivers may rely on it.
      this.onFrame(tag, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
    }
  }

  /** Read nothing more (the stream is handed over or closing). */
  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.buffered = 0;
  }

  private fail(message: string): void {
    this.stop();
    this.onError(new TcpError('BAD_FRAME', message));
  }

  /** The next `n` buffered bytes (`n` <= buffered). */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.byteLength, n - at);
      chunk.copy(out, at, 0, part);
      at += part;
      if (part === chunk.byteLength) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}
