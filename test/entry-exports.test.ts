import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

/** The names a module re-exports or exports (`type` markers dropped). */
function exportedNames(file: string): Set<string> {
	const text = readFileSync(new URL(`../lib/${file}`, import.meta.url), 'utf8');
	const names = new Set<string>();
	for (const [, list] of text.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
		for (const item of list!.split(',')) {
			const name = item.trim().replace(/^type /, '');
			if (name !== '') names.add(name);
		}
	}
	for (const [, name] of text.matchAll(/export (?:const|function|class) (\w+)/g)) names.add(name!);
	return names;
}

test('the browser entry exports what the Node entry exports, plus its console commands and embind', () => {
	const node = exportedNames('index.ts');
	const browser = exportedNames('browser.ts');
	expect([...node].filter((name) => !browser.has(name))).toEqual([]);
	expect([...browser].filter((name) => !node.has(name)).sort()).toEqual(['EmbindOptions', 'consoleCommands', 'traceEmbind']);
});
