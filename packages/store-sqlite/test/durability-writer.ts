/**
 * Child process of the durability test: appends messages as fast as it can and prints each
 * id once its append has resolved, until it is killed.
 *
 *   node --import tsx durability-writer.ts <database file>
 */
import { asPoolId } from '@poolnet/protocol';
import { SqliteMessageStore, openDeviceDatabase } from '../src/index.js';
import { message } from './fixture.js';

const [path = ''] = process.argv.slice(2);
const store = new SqliteMessageStore(openDeviceDatabase(path), asPoolId('pool'));

for (let n = 1; ; n++) {
  await store.append(message(n, 'm', 200));
  process.stdout.write(`m${n}\n`);
}
