import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('where stacks cannot be captured, misuse is still reported, without sites, and the program goes on', () => {
	const script = [
		// An environment that owns prepareStackTrace through an accessor ignoring writes (as hardened runtimes do).
		"Object.defineProperty(Error, 'prepareStackTrace', { get: () => undefined, set() {} });",
		"const { track } = await import('reftrace');",
		"const root = track({}, { name: 'Res' });",
		"const extra = root.acquire('worker');",
		'extra.release();',
		'extra.release();',
		'root.release();',
		"console.log('still running', root.count);",
	].join('\n');
	const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	expect(result.stdout).toBe('still running 0\n');
	expect(result.stderr).toMatch(/^reftrace: double-release: ref #2 of Res#1 was released twice\n {2}released here \(ref #2 held by worker, .*\n {4}no stack recorded\n/);
	expect(result.stderr.match(/REFTRACE_NO_STACKS/g)).toHaveLength(1);
});
