/** A chat message as one readable line: `12:03  Ada (laptop): hello`. */
import type { Member, Message } from '../api-types.js';
import { clockTime, shortId } from './clock.js';
import type { Style } from './output.js';

/** Device id → device name, from a pool's members. */
export function deviceNames(members: readonly Member[]): Map<string, string> {
  return new Map(members.flatMap((member) => member.devices.map((d) => [d.id, d.name] as const)));
}

export interface MessageLineOptions {
  readonly now: number;
  /** Prefix the message id. */
  readonly verbose: boolean;
}

export function messageLine(
  message: Message,
  devices: ReadonlyMap<string, string>,
  style: Style,
  options: MessageLineOptions,
): string {
  const time = clockTime(message.createdAt, options.now);
  const who = message.authorName ?? shortId(message.userId);
  const device = devices.get(message.author) ?? shortId(message.author);
  const name = message.mine ? style.green(who) : style.cyan(who);
  const id = options.verbose ? `${style.dim(message.id)}  ` : '';
  // Lines after the first start under the first line's text, past the time column.
  const indent = ' '.repeat((options.verbose ? message.id.length + 2 : 0) + time.length + 2);
  const text = message.text.split('\n').join(`\n${indent}`);
  return `${id}${style.dim(time)}  ${name} ${style.dim(`(${device})`)}: ${text}`;
}
