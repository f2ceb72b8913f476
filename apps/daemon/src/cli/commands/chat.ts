/**
 * `poolnet chat POOL`: the last 20 messages, then live ones from the event stream, while each
 * line read from stdin is sent. Works on a terminal (with a prompt) and line by line through
 * pipes; `/quit`, Ctrl-D or the end of the input leaves.
 */
import { type Interface, clearLine, createInterface, cursorTo, moveCursor } from 'node:readline';
import type { DaemonEvent, Message, MessagePage, Pool } from '../../api-types.js';
import { shortId } from '../clock.js';
import { type CommandContext, defineCommand } from '../command.js';
import { CliError, EXIT, isCliError } from '../errors.js';
import type { LocalClient } from '../local-client.js';
import { messageLine } from '../message-line.js';
import { poolDeviceNames } from './history.js';

const HISTORY_LINES = 20;

/** The id of the pool `ref` names, as events carry it. */
function poolOf(ref: string, pools: readonly Pool[], messages: readonly Message[]): Pool | string {
  const byId = pools.find((pool) => pool.id === ref);
  if (byId !== undefined) return byId;
  const named = pools.filter((pool) => pool.name.toLowerCase() === ref.toLowerCase());
  if (named.length === 1 && named[0] !== undefined) return named[0];
  return messages[0]?.pool ?? ref;
}

class ChatSession {
  private poolId: string;
  private names = new Map<string, string>();
  /** Message ids already shown: the stream repeats what history or `send` showed. */
  private readonly shown = new Set<string>();
  /** Device ids whose names were looked up once already. */
  private readonly lookedUp = new Set<string>();
  /** Events that arrive while the history loads. */
  private buffered: DaemonEvent[] | undefined = [];
  private display: Promise<void> = Promise.resolve();
  private sending: Promise<void> = Promise.resolve();
  private rl: Interface | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly ctx: CommandContext,
    private readonly client: LocalClient,
    private readonly ref: string,
  ) {
    this.poolId = ref;
    this.tty = ctx.io.stdin.isTTY === true && ctx.io.stdout.isTTY === true && !ctx.json;
  }

  async run(): Promise<number> {
    const stop = new AbortController();
    // Listen before reading history so nothing sent in between is missed.
    const events = await this.client.events((event) => this.onEvent(event));
    try {
      const [page, { pools }, names] = await Promise.all([
        this.client.get<MessagePage>('/v1/messages', { pool: this.ref, limit: HISTORY_LINES }),
        this.client.get<{ pools: Pool[] }>('/v1/pools'),
        poolDeviceNames(this.client, this.ref),
      ]);
      const pool = poolOf(this.ref, pools, page.messages);
      this.poolId = typeof pool === 'string' ? pool : pool.id;
      this.names = names;
      if (this.tty) {
        const name = typeof pool === 'string' ? this.ref : pool.name;
        this.ctx.out.line(this.ctx.out.style.dim(`chat in ${name}: /quit or Ctrl-D to leave`));
      }
      for (const message of page.messages) this.enqueue(() => this.showMessage(message));
      const early = this.buffered ?? [];
      this.buffered = undefined;
      for (const event of early) this.onEvent(event);

      const ended = await Promise.race([
        this.readLines().then(() => 'input' as const),
        events.closed.then(() => 'daemon' as const),
        this.ctx.io.untilStopped(stop.signal).then(() => 'signal' as const),
      ]);
      await this.sending;
      await this.display;
      if (ended === 'daemon') {
        throw new CliError('DAEMON_GONE', 'the daemon closed the event stream', EXIT.refused);
      }
      return EXIT.ok;
    } finally {
      stop.abort();
      this.rl?.close();
      events.close();
    }
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.display = this.display.then(task).catch((err: unknown) => this.showError(err));
  }

  private onEvent(event: DaemonEvent): void {
    if (this.buffered !== undefined) {
      this.buffered.push(event);
      return;
    }
    this.enqueue(() => this.showEvent(event));
  }

  private async showEvent(event: DaemonEvent): Promise<void> {
    const { dim } = this.ctx.out.style;
    switch (event.type) {
      case 'message':
        if (event.message.pool === this.poolId) await this.showMessage(event.message);
        return;
      case 'pool':
        if (event.pool !== this.poolId) return;
        if (this.ctx.json) return this.ctx.out.jsonLine(event);
        return this.print(
          dim(event.joined ? '· connected to the pool' : '· dropped from the pool, reconnecting'),
        );
      case 'link':
        if (event.pool !== this.poolId || !(this.ctx.verbose || this.ctx.json)) return;
        if (this.ctx.json) return this.ctx.out.jsonLine(event);
        return this.print(
          dim(`· link to ${shortId(event.peer)} ${event.up ? 'up' : 'down'} (${event.transport})`),
        );
      case 'server':
        if (this.ctx.json) return this.ctx.out.jsonLine(event);
        return this.print(dim(event.connected ? '· server connected' : '· server disconnected'));
    }
  }

  private async showMessage(message: Message): Promise<void> {
    if (this.shown.has(message.id)) return;
    this.shown.add(message.id);
    if (this.ctx.json) return this.ctx.out.jsonLine({ type: 'message', message });
    if (!this.names.has(message.author) && !this.lookedUp.has(message.author)) {
      // A device that joined after the names were read: read them again, once.
      this.lookedUp.add(message.author);
      const names = await poolDeviceNames(this.client, this.poolId);
      for (const [id, name] of names) this.names.set(id, name);
    }
    const now = this.ctx.io.now();
    this.print(
      messageLine(message, this.names, this.ctx.out.style, { now, verbose: this.ctx.verbose }),
    );
  }

  /** Prints above the prompt on a terminal, plainly otherwise. */
  private print(line: string): void {
    const stdout = this.ctx.io.stdout;
    if (this.tty && this.rl !== undefined) {
      clearLine(stdout, 0);
      cursorTo(stdout, 0);
      this.ctx.out.line(line);
      this.rl.prompt(true);
    } else {
      this.ctx.out.line(line);
    }
  }

  private showError(err: unknown): void {
    const code = isCliError(err) ? err.code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    if (this.ctx.json) this.ctx.out.jsonLine({ error: { code, message } });
    else this.ctx.out.note(`poolnet: ${message}`);
  }

  /** Sends each line read; resolves on `/quit`, Ctrl-D, Ctrl-C or the end of the input. */
  private readLines(): Promise<void> {
    const { stdin, stdout } = this.ctx.io;
    const rl = this.tty
      ? createInterface({ input: stdin, output: stdout, terminal: true, prompt: '> ' })
      : createInterface({ input: stdin, terminal: false });
    this.rl = rl;
    return new Promise((resolve) => {
      rl.on('line', (line) => {
        const text = line.trim();
        if (this.tty) {
          // The typed line gives way to the message as the pool sees it.
          moveCursor(stdout, 0, -1);
          clearLine(stdout, 0);
        }
        if (text === '/quit') return rl.close();
        if (text === '') return this.tty ? rl.prompt() : undefined;
        if (text.startsWith('/') && !text.startsWith('//')) {
          this.showError(
            new Error(`unknown command ${text}: /quit leaves; start with // to send a /`),
          );
          return this.tty ? rl.prompt() : undefined;
        }
        const body = text.startsWith('//') ? text.slice(1) : text;
        this.sending = this.sending.then(() => this.send(body));
      });
      rl.on('SIGINT', () => rl.close());
      rl.on('close', () => resolve());
      if (this.tty) rl.prompt();
    });
  }

  private async send(text: string): Promise<void> {
    try {
      const { message } = await this.client.post<{ message: Message }>('/v1/messages/send', {
        pool: this.poolId,
        text,
      });
      this.enqueue(() => this.showMessage(message));
      await this.display;
    } catch (err) {
      this.showError(err);
      if (this.tty) this.rl?.prompt();
    }
  }
}

export const chat = defineCommand({
  name: 'chat',
  group: 'messages',
  args: 'POOL',
  summary: 'chat live in a pool',
  details: [
    'Shows the last 20 messages, then live ones; each line typed is sent. `/quit` or Ctrl-D',
    'leaves; with stdin from a pipe each line is sent until its end.',
    'With --json: one JSON document per line ({"type":"message",…} and the other events).',
  ],
  positionals: { min: 1 },
  async run(ctx, _values, [pool = '']) {
    const client = await ctx.client();
    return new ChatSession(ctx, client, pool).run();
  },
});
