// Mocha root hook: every test file runs on the backend initBackend picks (CV_BACKEND forces one).
import { initBackend } from '../lib/backend';

export const mochaHooks = {
  async beforeAll() {
    await initBackend({ verbose: false });
  },
};
