import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import '../lib/index.js';
import { sourceLine } from '../lib/sources.js';

test('source files read for reports are not kept without bound: past a few hundred files the cache starts afresh', () => {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-sources-'));
	const first = join(dir, 'first.js');
	writeFileSync(first, 'first version\n');
	expect(sourceLine({ fn: null, file: first, line: 1, column: 1 })).toBe('first version');
	writeFileSync(first, 'second version\n');
	// Still cached: a report reads a file once.
	expect(sourceLine({ fn: null, file: first, line: 1, column: 1 })).toBe('first version');
	for (let i = 0; i < 300; i++) {
		const other = join(dir, `other-${i}.js`);
		writeFileSync(other, `line of ${i}\n`);
		expect(sourceLine({ fn: null, file: other, line: 1, column: 1 })).toBe(`line of ${i}`);
	}
	expect(sourceLine({ fn: null, file: first, line: 1, column: 1 })).toBe('second version');
});
