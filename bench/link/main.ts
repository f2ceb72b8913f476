/**
 * One link between two processes on 127.0.0.1, per transport: `npm run -s bench:link --
 * --size 1GiB`. Each run starts a receiver and a sender process (`endpoint.ts`) and moves
 * `--size` bytes in `--frame` frames from one to the other:
 *
 * 1. raw TCP (`raw-tcp.ts`): a plain node:net socket, the reference every line is divided by;
 * 2. tcp, auto (the selecting transport over [tcp, webrtc]), webrtc: a link of the real
 *    transport, used as the engine uses it (`engine-link.ts`);
 * 3. bare node-datachannel (`bare-datachannel.ts`): the WebRTC floor, no engine framing.
 *
 * Prints one JSON line per transport on stdout (bench/README.md says what each figure is);
 * progress and the children's errors go to stderr.
 */
import { parseArgs } from 'node:util';
import { formatSize, parseSize } from '../transfer/size.js';
import { runPair, type Mode, type RunResult } from './endpoint-pair.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1GiB' },
    frame: { type: 'string', default: '64KiB' },
    'high-water': { type: 'string', default: '2MiB' },
    only: { type: 'string', default: 'tcp,auto,webrtc,bare' },
    timeout: { type: 'string', default: '900' },
    verbose: { type: 'boolean', default: false },
  },
});

function fail(text: string): never {
  process.stderr.write(`${text}\n`);
  process.exit(2);
}

const sizeBytes = parseSize(values.size) ?? fail(`--size ${values.size}: not a size (1GiB…)`);
const frameBytes = parseSize(values.frame) ?? fail(`--frame ${values.frame}: not a size`);
const highWaterBytes =
  parseSize(values['high-water']) ?? fail(`--high-water ${values['high-water']}: not a size`);
if (frameBytes > 256 * 1024) fail('--frame is at most 256KiB (the links’ frame limit)');
const timeoutMs = Number(values.timeout) * 1000;
if (!(timeoutMs > 0)) fail(`--timeout must be a positive number of seconds`);
const only = new Set(values.only.split(',').map((s) => s.trim()));
for (const mode of only) {
  if (!['tcp', 'auto', 'webrtc', 'bare'].includes(mode)) fail(`--only: unknown ${mode}`);
}

const log = (text: string): void => void process.stderr.write(`[bench:link] ${text}\n`);
const options = {
  sizeBytes,
  frameBytes,
  highWaterBytes,
  timeoutMs,
  onStderr: (name: string, text: string) =>
    values.verbose || /error|Error/.test(text)
      ? void process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `))
      : undefined,
};
const MBps = (r: RunResult): number => round(sizeBytes / 1e6 / (r.ms / 1000), 1);
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const print = (line: Record<string, unknown>): void => console.log(JSON.stringify(line));

async function measure(mode: Mode): Promise<RunResult> {
  log(`${mode}: ${formatSize(sizeBytes)} in ${formatSize(frameBytes)} frames…`);
  const result = await runPair(mode, options);
  log(
    `${mode}: ${Math.round(result.ms)} ms (${MBps(result)} MB/s), connect ${Math.round(result.connectMs)} ms`,
  );
  return result;
}

const raw = await measure('raw-tcp');
const rawTcpMBps = MBps(raw);
const line = (transport: string, r: RunResult): Record<string, unknown> => ({
  transport,
  sizeBytes,
  MBps: MBps(r),
  rawTcpMBps,
  ratio: round(MBps(r) / rawTcpMBps, 3),
});

let tcp: RunResult | undefined;
if (only.has('tcp')) {
  tcp = await measure('tcp');
  print({ ...line('tcp', tcp), connectMs: Math.round(tcp.connectMs) });
}
if (only.has('auto')) {
  const auto = await measure('auto');
  print({
    ...line('auto', auto),
    carriedBy: auto.kind,
    vsTcp: tcp ? round(MBps(auto) / MBps(tcp), 3) : null,
    connectMs: Math.round(auto.connectMs),
  });
}
let bare: RunResult | undefined;
if (only.has('bare')) {
  bare = await measure('bare');
  print({ ...line('bare-datachannel', bare), connectMs: Math.round(bare.connectMs) });
}
if (only.has('webrtc')) {
  const webrtc = await measure('webrtc');
  print({
    ...line('webrtc', webrtc),
    bareDatachannelMBps: bare ? MBps(bare) : null,
    vsBare: bare ? round(MBps(webrtc) / MBps(bare), 3) : null,
    connectMs: Math.round(webrtc.connectMs),
  });
}
process.exit(0);
