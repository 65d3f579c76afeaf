import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function normalise(text: string): string {
	return text.replace(/pid \d+/g, 'pid N').replace(/\d+(\.\d+)? (µs|ms|s) earlier/g, 'T earlier');
}

test('the README shows the literal output of its quick-start example', () => {
	const readme = readFileSync(`${root}/README.md`, 'utf8');
	const example = readFileSync(`${root}/examples/quick-start.ts`, 'utf8');
	expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
	const shown = /<!-- quick-start output[^\n]*\n```\n([\s\S]*?)```/.exec(readme)?.[1];
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: root });
	// One pipe for both streams, so the lines interleave as on a terminal.
	const result = spawnSync('/bin/sh', ['-c', `"${process.execPath}" examples/.build/quick-start.js 2>&1`], {
		cwd: root,
		env: childEnv(),
		encoding: 'utf8',
	});
	expect(result.status).toBe(0);
	expect(normalise(result.stdout)).toBe(normalise(shown ?? ''));
});
