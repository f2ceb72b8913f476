/**
 * How the CLI prints: readable lines and aligned tables (coloured only on a terminal, and
 * never when NO_COLOR is set), or with `--json` exactly one JSON document on stdout.
 */
import type { OutStream } from './io.js';

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/** `text` without its colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Columns `text` takes on a terminal (code points; colour codes take none). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}

/** https://no-color.org: colours only on a terminal, and not when NO_COLOR is non-empty. */
export function colourEnabled(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '';
}

/** ANSI styles that turn into plain text when colours are off. */
export class Style {
  constructor(readonly enabled: boolean) {}

  private wrap(open: number, close: number, text: string): string {
    return this.enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  }

  bold = (text: string): string => this.wrap(1, 22, text);
  dim = (text: string): string => this.wrap(2, 22, text);
  red = (text: string): string => this.wrap(31, 39, text);
  green = (text: string): string => this.wrap(32, 39, text);
  yellow = (text: string): string => this.wrap(33, 39, text);
  cyan = (text: string): string => this.wrap(36, 39, text);
}

/** Rows aligned in columns two spaces apart; the last column is not padded. */
export function align(rows: ReadonlyArray<readonly string[]>): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...rows.map((row) => visibleWidth(row[column] ?? ''))),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === row.length - 1
          ? cell
          : cell + ' '.repeat((widths[column] ?? 0) - visibleWidth(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** A table: the header in bold over aligned rows. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  style: Style,
): string[] {
  return align([header.map((cell) => style.bold(cell)), ...rows]);
}

/** Where a command's results and its messages go. */
export class Output {
  /** Styles for stdout. */
  readonly style: Style;
  /** Styles for stderr. */
  readonly errorStyle: Style;

  constructor(
    private readonly streams: { readonly stdout: OutStream; readonly stderr: OutStream },
    env: Readonly<Record<string, string | undefined>>,
    /** `--json`: results are JSON documents, errors `{"error": …}` on stdout. */
    readonly json: boolean,
  ) {
    this.style = new Style(colourEnabled(streams.stdout, env));
    this.errorStyle = new Style(colourEnabled(streams.stderr, env));
  }

  /** One readable line on stdout. */
  line(text = ''): void {
    this.streams.stdout.write(`${text}\n`);
  }

  lines(lines: readonly string[]): void {
    for (const text of lines) this.line(text);
  }

  /** A readable line on stderr: notes, hints, errors. */
  note(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
    this.lines(table(header, rows, this.style));
  }

  /** The one JSON document of a `--json` run. */
  document(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON document per line, for the long-running commands (`chat`, `up`, `server`). */
  jsonLine(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value)}\n`);
  }
}
