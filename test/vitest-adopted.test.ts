import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const project = fileURLToPath(new URL('./fixtures/vitest-project/', import.meta.url));

test('the vitest helper fails tests that leave instrumented objects live, with their lines, and passes a long-lived singleton', () => {
	const result = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', '--reporter=verbose', 'adopted'], {
		cwd: project,
		env: childEnv({ CI: '1' }),
		encoding: 'utf8',
	});
	const output = result.stdout + result.stderr;
	expect(result.status).toBe(1);
	expect(output).toMatch(/× adopted\.spec\.ts > a file left open/);
	expect(output).toMatch(/× adopted\.spec\.ts > a buffer retained once too often/);
	expect(output).toMatch(/✓ adopted\.spec\.ts > a singleton marked long-lived/);
	expect(output).toMatch(/RawFile#\d+ has 1\/1 refs at adopted\.spec\.ts:18:\d+ - kept\.push\(new File\(\)\); \/\/ @file-open/);
	expect(output).toMatch(/balance of RawBuffer#\d+ \(retains \+, releases -, paths that cancel pruned\):(\n.*)*\n {6,}\+1 adopted\.spec\.ts:24:\d+/);
	expect(output).toMatch(/Tests +2 failed \| 1 passed/);
});
