/**
 * `poolnet`: finds the command named by the first words of `argv`, runs it, and turns every
 * failure into a one-line message (or `{"error": …}` with `--json`) and an exit code:
 * 0 ok, 1 the daemon or server refused, 2 no daemon, 64 usage. No stack traces unless
 * POOLNET_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliError, EXIT, usageError } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { Output, type Style, align } from './output.js';

/** The options that may stand before the command's name, and whether they take a value. */
const LEADING_OPTIONS: Readonly<Record<string, boolean>> = {
  '--data': true,
  '--json': false,
  '--verbose': false,
  '-v': false,
  '--help': false,
  '-h': false,
};

/** The tokens before `--`: only those can be options. */
function optionTokens(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

interface Selection {
  /** The command, or undefined for the top level (`poolnet`, `poolnet --help`). */
  readonly command: Command | undefined;
  /** The words that did not name a command (`pool frob`). */
  readonly unknown: readonly string[];
  /** The arguments for the command: the leading options, then what follows its name. */
  readonly args: readonly string[];
}

function select(argv: readonly string[]): Selection {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] ?? '';
    const name = token.split('=')[0] ?? token;
    const takesValue = LEADING_OPTIONS[name];
    if (takesValue === undefined) break;
    const width = takesValue && !token.includes('=') ? 2 : 1;
    leading.push(...argv.slice(i, i + width));
    i += width;
  }
  const words: string[] = [];
  for (let j = i; j < argv.length && words.length < 2; j++) {
    const word = argv[j] ?? '';
    if (word.startsWith('-')) break;
    words.push(word);
  }
  for (const count of [2, 1]) {
    const name = words.slice(0, count).join(' ');
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command !== undefined && count <= words.length) {
      return { command, unknown: [], args: [...leading, ...argv.slice(i + count)] };
    }
  }
  return { command: undefined, unknown: words, args: [...leading, ...argv.slice(i)] };
}

function version(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A command's usage without `poolnet`, cut to `NAME [options]` when too long for a list. */
function listedUsage(command: Command): string {
  const usage = command.usage.replace(/^poolnet /, '');
  return usage.length <= 52 ? usage : `${command.name} [options]`;
}

/** `poolnet --help`, or the commands of one group (`poolnet pool`) when `prefix` is given. */
function topHelp(style: Style, prefix?: string): string {
  const commands = COMMANDS.filter(
    (command) => prefix === undefined || command.name.startsWith(`${prefix} `),
  );
  const groups = [...new Set(commands.map((command) => command.group))];
  const lines = [
    'poolnet: chat and share files directly between the devices of a pool',
    '',
    `${style.bold('usage:')} poolnet ${prefix ?? 'COMMAND'} ${prefix === undefined ? '' : 'COMMAND '}[options]`,
  ];
  for (const group of groups) {
    lines.push('', style.bold(`${group}:`));
    lines.push(
      ...align(
        commands
          .filter((command) => command.group === group)
          .map((command) => [`  ${listedUsage(command)}`, command.summary]),
      ),
    );
  }
  lines.push(
    '',
    style.bold('options of every command:'),
    ...align([
      ['  --data DIR', "the daemon's data directory (default: $POOLNET_DATA or ./poolnet-data)"],
      ['  --json', 'one JSON document on stdout, errors too (chat, up, server: one a line)'],
      ['  -v, --verbose', 'show ids and more detail'],
      ['  -h, --help', 'help of a command: poolnet pool invite --help'],
    ]),
    '',
    'exit codes: 0 ok, 1 refused by the daemon or server, 2 no daemon running, 64 usage',
  );
  return lines.join('\n');
}

/** Prints `err` as the user should see it and gives the exit code. */
function report(out: Output, io: CliIo, err: unknown): number {
  const error =
    err instanceof CliError
      ? err
      : new CliError(
          'INTERNAL',
          `internal error: ${err instanceof Error ? err.message : String(err)}`,
          EXIT.refused,
          { cause: err },
        );
  if (out.json) {
    out.document({ error: { code: error.code, message: error.message } });
  } else {
    out.note(`${out.errorStyle.red('poolnet:')} ${error.message}`);
    const command = COMMANDS.find((candidate) => candidate.name === error.command);
    if (command !== undefined) {
      out.note(`usage: ${command.usage}  (poolnet ${command.name} --help for more)`);
    }
  }
  if (io.env.POOLNET_DEBUG === '1') {
    for (let cause: unknown = err; cause !== undefined; cause = (cause as Error).cause) {
      out.note(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
      if (!(cause instanceof Error)) break;
    }
  }
  return error.exitCode;
}

/**
 * Runs `poolnet` with `argv` (without node and the script) and returns the exit code. `io`
 * replaces the process's streams, environment and hooks (tests).
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli = processIo(io);
  // `poolnet help pool invite` is `poolnet pool invite --help`.
  const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
  const options = optionTokens(args);
  const out = new Output(cli, cli.env, options.includes('--json'));
  const wantsHelp = options.includes('--help') || options.includes('-h');
  try {
    const selection = select(args);
    const { command, unknown } = selection;
    if (command !== undefined) {
      if (!wantsHelp) return await command.run(cli, out, selection.args);
      out.line(command.help(out.style));
      return EXIT.ok;
    }
    const group = unknown[0];
    const isGroup =
      group !== undefined && COMMANDS.some((candidate) => candidate.name.startsWith(`${group} `));
    if (group !== undefined && !isGroup) {
      throw usageError(`unknown command '${group}': run \`poolnet --help\` for the commands`);
    }
    if (unknown.length > 1) {
      throw usageError(
        `unknown command '${unknown.join(' ')}': run \`poolnet ${group} --help\` for its commands`,
      );
    }
    if (wantsHelp) {
      out.line(topHelp(out.style, group));
      return EXIT.ok;
    }
    if (group === undefined && options.includes('--version')) {
      out.line(version());
      return EXIT.ok;
    }
    const stray = selection.args.find(
      (token) => token.startsWith('-') && !(token in LEADING_OPTIONS),
    );
    if (stray !== undefined) {
      throw usageError(`unknown option ${stray}: run \`poolnet --help\` for the commands`);
    }
    if (out.json) {
      throw usageError(`no command given: run \`poolnet ${group ?? ''}${group ? ' ' : ''}--help\``);
    }
    out.note(topHelp(out.errorStyle, group));
    return EXIT.usage;
  } catch (err) {
    return report(out, cli, err);
  }
}
