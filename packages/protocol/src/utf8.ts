import { configureTextEncoding } from '@bufbuild/protobuf/wire';

/**
 * UTF-8 with a fast path for the short ASCII strings that fill the wire (ids, paths' owners,
 * names): crossing into the platform's TextEncoder costs more than the copy for those. Long or
 * non-ASCII strings go to TextEncoder/TextDecoder as before. Installed into protobuf-es when
 * this package loads, so every encode and decode in the process benefits.
 */
const SHORT = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
let strictDecoder: InstanceType<typeof TextDecoder> | undefined;

function shortAscii(text: string): boolean {
  if (text.length > SHORT) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  if (!shortAscii(text)) return encoder.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function encodeUtf8Into(text: string, dest: Uint8Array): { read: number; written: number } {
  if (text.length > dest.length || !shortAscii(text)) return encoder.encodeInto(text, dest);
  for (let i = 0; i < text.length; i++) dest[i] = text.charCodeAt(i);
  return { read: text.length, written: text.length };
}

export function decodeUtf8(bytes: Uint8Array, strict?: boolean): string {
  if (bytes.length <= SHORT) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode(...bytes);
  }
  if (!strict) return decoder.decode(bytes);
  strictDecoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return strictDecoder.decode(bytes);
}

configureTextEncoding({
  encodeUtf8,
  encodeUtf8Into,
  decodeUtf8,
  // Node 20 has String.prototype.isWellFormed (ES2024); the TS lib here is ES2023.
  checkUtf8: (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed(),
});
