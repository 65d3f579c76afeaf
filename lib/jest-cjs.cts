/**
 * `reftrace/jest` in Jest's CommonJS module registry: the exports map's `require` target, which is also what
 * Jest resolves `setupFilesAfterEnv` to in either mode. Loading it runs the CommonJS build's per-test check
 * (`jest.ts`, as built into dist/cjs/), for tests that `require('reftrace')`. With vm modules on, tests may
 * import the ES build instead (ESM mode, or `require` on Node 24.9+, where Jest resolves `module-sync`):
 * Jest awaits a setup file that exports a function, and this one loads the ES build's check as well. Each
 * build's check sees only the references its own copy recorded, so whichever copy a test uses is checked.
 */
import cjsCheck = require('./jest.js');
import platform = require('./platform/node-vm.js');

/** The ES build's `reftrace/jest`, relative to this file's place in dist/cjs/. */
const ES_JEST = '../jest.js';

async function setup(): Promise<void> {
	if (platform.vmModulesEnabled()) await import(ES_JEST);
}

export = Object.assign(setup, { allowLeaks: cjsCheck.allowLeaks });
