import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

test('references taken from 80,000 generated scripts leave a bounded frame table once none is live', () => {
	// Unbounded, the frame table and stack depot kept about 1.1 KB per script: about 90 MB here; bounded by
	// starting afresh, at most about 30; held weakly, a few MB once finalizers have run.
	const result = spawnSync(process.execPath, ['--expose-gc', 'test/fixtures/generated-code.mjs', '80000'], {
		cwd: fileURLToPath(new URL('..', import.meta.url)),
		env: childEnv({ REFTRACE_EXIT_REPORT: '0' }),
		encoding: 'utf8',
	});
	expect(result.stderr).toBe('');
	expect(Number(result.stdout)).toBeLessThan(10);
});
