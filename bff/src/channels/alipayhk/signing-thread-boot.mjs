// The signing thread's entry (see signing-thread.ts). Plain JavaScript: it needs node:crypto only.
// A message registers keys ({ keys: [[keyId, KeyObject, hash]] }) and/or carries a batch of requests
// ({ batch: [id, keyId, content, …] }); the answer to a batch is one message, [id, ok, base64 | error, …].
import { sign } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const keys = new Map();

parentPort.on('message', (message) => {
  for (const [keyId, key, hash] of message.keys ?? []) keys.set(keyId, { key, hash });
  const batch = message.batch ?? [];
  const answers = [];
  for (let i = 0; i < batch.length; i += 3) {
    const entry = keys.get(batch[i + 1]);
    try {
      if (!entry) throw new Error(`no key ${batch[i + 1]} on the signing thread`);
      answers.push(batch[i], true, sign(entry.hash, Buffer.from(batch[i + 2], 'utf8'), entry.key).toString('base64'));
    } catch (error) {
      answers.push(batch[i], false, error instanceof Error ? error.message : String(error));
    }
  }
  if (answers.length > 0) parentPort.postMessage(answers);
});
