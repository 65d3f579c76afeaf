import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { expect, test } from 'vitest';
import { packageRoot, expectedProbe, type ProbeResult } from './helpers.js';

// Chromium's V8 compresses pointers: its small integers stop at 2^30 - 1, half of Node's, and the eras
// (lib/clock.ts) are sized for it. Checked in Debian's chromium with V8's natives syntax; without the
// browser the test is skipped, saying so, unless REFTRACE_REQUIRE_BROWSER=1 (CI), where that fails.
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const required = process.env['REFTRACE_REQUIRE_BROWSER'] === '1';
if (!present) console.warn(`eras-browser.test.ts: ${CHROMIUM} is missing; the test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);

declare const erasResult: unknown;

test.skipIf(!present && !required)('in Chromium, past 2^31 references and ticks and at an era\'s end, entries and the quarantine store small integers, within its smaller range', async () => {
	const bundled = await build({
		stdin: { contents: "import * as reftrace from './dist/browser.js'; import { probe } from './test/fixtures/eras-probe.mjs'; globalThis.erasResult = probe(reftrace);", resolveDir: packageRoot },
		bundle: true,
		platform: 'browser',
		format: 'iife',
		write: false,
		logLevel: 'silent',
	});
	const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--js-flags=--allow-natives-syntax'] });
	try {
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => void errors.push(String(error)));
		await page.evaluate(bundled.outputFiles[0]!.text);
		const result = (await page.evaluate(() => erasResult)) as ProbeResult;
		expect(errors).toEqual([]);
		// The range this test is about: if Chromium stopped compressing pointers, it would check less.
		expect(result).toEqual({ ...expectedProbe(result), smallUpTo: 2 ** 30 - 1, age: result.age });
	} finally {
		await browser.close();
	}
});
