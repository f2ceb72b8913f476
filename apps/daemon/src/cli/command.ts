/**
 * A command of the CLI: its name, help and options declared in one place, its arguments
 * parsed with node:util `parseArgs` (strict: an unknown flag is a usage error), then `run`
 * with a context that knows the output mode and how to reach the daemon.
 */
import { parseArgs } from 'node:util';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { LocalClient } from './local-client.js';
import { type Output, type Style, align } from './output.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in help: `DIR`, `N`. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed values of `O`: strings for string options, booleans for flags. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]?: O[K] extends { readonly type: 'string' }
    ? O[K] extends { readonly multiple: true }
      ? string[]
      : string
    : boolean;
};

/** The options every command takes. */
export const COMMON_OPTIONS = {
  data: {
    type: 'string',
    value: 'DIR',
    description: "the daemon's data directory (default: $POOLNET_DATA or ./poolnet-data)",
  },
  json: { type: 'boolean', description: 'print one JSON document on stdout' },
  verbose: { type: 'boolean', short: 'v', description: 'show ids and more detail' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies OptionSpecs;

export const DEFAULT_DATA_DIR = './poolnet-data';

export interface CommandContext {
  readonly io: CliIo;
  readonly out: Output;
  /** `--data`, else $POOLNET_DATA, else ./poolnet-data. */
  readonly dataDir: string;
  readonly json: boolean;
  readonly verbose: boolean;
  /** The local API client of the daemon of `dataDir`. */
  client(): Promise<LocalClient>;
}

export interface CommandSpec<O extends OptionSpecs> {
  /** The words that select it: `status`, `pool invite`. */
  readonly name: string;
  /** The heading it is listed under in `poolnet --help`. */
  readonly group: string;
  /** What follows the name in the usage line: `POOL [--expires 1h] [--uses N]`. */
  readonly args?: string;
  readonly summary: string;
  /** Paragraph lines shown by `--help` under the usage line. */
  readonly details?: readonly string[];
  readonly options?: O;
  /** How many positional arguments it takes: `min` to `max` (default: exactly `min`). */
  readonly positionals?: { readonly min: number; readonly max?: number };
  run(
    ctx: CommandContext,
    values: OptionValues<O>,
    positionals: readonly string[],
  ): Promise<number | void>;
}

export interface Command {
  readonly name: string;
  readonly group: string;
  readonly summary: string;
  /** `poolnet pool invite POOL [--expires 1h] [--uses N]` */
  readonly usage: string;
  help(style: Style): string;
  /** Parses `argv` (everything after the command's name) and runs; returns the exit code. */
  run(io: CliIo, out: Output, argv: readonly string[]): Promise<number>;
}

/** The readable text of a `parseArgs` error (its own text is long and written for coders). */
function parseErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    return `unknown option ${option}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    if (message.includes('argument missing')) return `option ${option} needs a value`;
    if (message.includes('does not take an argument')) return `option ${option} takes no value`;
  }
  return message;
}

function optionHelp(options: OptionSpecs): string[] {
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `--${name}${option.value === undefined ? '' : ` ${option.value}`}`;
    return [
      `  ${option.short === undefined ? '    ' : `-${option.short}, `}${flag}`,
      option.description,
    ];
  });
  return align(rows);
}

export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): Command {
  const usage = `poolnet ${spec.name}${spec.args === undefined ? '' : ` ${spec.args}`}`;
  // A command's own option of the same name (server's --data) replaces the common one.
  const options: OptionSpecs = { ...COMMON_OPTIONS, ...spec.options };
  const min = spec.positionals?.min ?? 0;
  const max = spec.positionals?.max ?? min;

  return {
    name: spec.name,
    group: spec.group,
    summary: spec.summary,
    usage,
    help(style) {
      return [
        `${style.bold('usage:')} ${usage}`,
        '',
        spec.summary,
        ...(spec.details === undefined ? [] : ['', ...spec.details]),
        '',
        style.bold('options:'),
        // The command's own options first, then the common ones it does not replace.
        ...optionHelp({ ...spec.options, ...COMMON_OPTIONS, ...spec.options }),
      ].join('\n');
    },
    async run(io, out, argv) {
      let parsed: { values: Record<string, unknown>; positionals: string[] };
      try {
        parsed = parseArgs({
          args: [...argv],
          options: Object.fromEntries(
            Object.entries(options).map(([name, { type, short, multiple }]) => [
              name,
              { type, ...(short === undefined ? {} : { short }), multiple: multiple === true },
            ]),
          ),
          strict: true,
          allowPositionals: true,
        });
      } catch (err) {
        throw usageError(parseErrorMessage(err), spec.name, err);
      }
      const { values, positionals } = parsed;
      if (positionals.length < min) {
        throw usageError(`${spec.name}: missing arguments`, spec.name);
      }
      if (positionals.length > max) {
        throw usageError(
          `${spec.name}: unexpected argument '${positionals[max] ?? ''}'`,
          spec.name,
        );
      }
      const envData = io.env.POOLNET_DATA?.trim();
      const dataDir =
        typeof values.data === 'string'
          ? values.data
          : envData === undefined || envData === ''
            ? DEFAULT_DATA_DIR
            : envData;
      let client: Promise<LocalClient> | undefined;
      const ctx: CommandContext = {
        io,
        out,
        dataDir,
        json: values.json === true,
        verbose: values.verbose === true,
        client: () => (client ??= LocalClient.find(dataDir)),
      };
      const code = await spec.run(ctx, values as OptionValues<O>, positionals);
      return code ?? 0;
    },
  };
}
