/** `poolnet send POOL TEXT...`: one chat message. */
import type { Message } from '../../api-types.js';
import { defineCommand } from '../command.js';
import { usageError } from '../errors.js';
import type { InStream } from '../io.js';

async function readAll(stream: InStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const send = defineCommand({
  name: 'send',
  group: 'messages',
  args: 'POOL TEXT...',
  summary: 'send a message to a pool',
  details: [
    'POOL is a pool id or name. The words of TEXT are joined with spaces; `-` reads the text',
    'from stdin.',
  ],
  positionals: { min: 2, max: Infinity },
  async run(ctx, _values, [pool = '', ...words]) {
    const raw =
      words.length === 1 && words[0] === '-' ? await readAll(ctx.io.stdin) : words.join(' ');
    // A trailing newline (from echo or a file) is not part of the message.
    const text = raw.replace(/\r?\n$/, '');
    if (text.trim() === '') throw usageError('send: nothing to send', 'send');
    const client = await ctx.client();
    const answer = await client.post<{ message: Message }>('/v1/messages/send', { pool, text });
    if (ctx.json) return ctx.out.document(answer);
    if (ctx.verbose) ctx.out.line(`sent ${ctx.out.style.dim(answer.message.id)}`);
  },
});
