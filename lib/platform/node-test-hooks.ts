/** The hooks of Node's test runner (`node --test`), which `node-test.ts` registers on every test. */
export { afterEach, beforeEach } from 'node:test';
