/** The storage contract (contract.ts) against the in-memory repositories. */
import { memoryStorage } from '../../src/store/memory/index.ts';
import { storageContract } from './contract.ts';

storageContract('in memory', async () => {
  const storage = memoryStorage();
  return { storage, expiry: storage.expiry };
});
