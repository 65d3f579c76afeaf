import { runInThisContext } from 'node:vm';
import { expect, test } from 'vitest';
import { track, type DoubleReleaseError, type Ref } from '../lib/index.js';
import { collectViolations } from './helpers.js';

type Take = (take: typeof track) => Ref<object>;

/** The site of the track that `taker` made, from a double release's report. */
function siteOf(taker: Take): string | null {
	const seen = collectViolations();
	const ref = taker(track);
	ref.release();
	ref.release();
	return (seen[0] as DoubleReleaseError).earlier.at(-1)!.event.site;
}

// The frame table keeps recent frames in 256 slots by source position: two call sites 256 characters apart
// in one script share a slot, and the same position in two scripts does too.
test('call sites that share a slot of the recent-frame cache keep their own positions', () => {
	const head = '[(take) => take({}), (take) => ';
	const first = head.indexOf('take({})');
	const source = `${head}${' '.repeat(first + 256 - head.length)}take({})]`;
	expect(source.lastIndexOf('take({})') - first).toBe(256);
	const [near, far] = runInThisContext(source, { filename: '/srv/app/slots.js' }) as [Take, Take];
	const sites = [near, far, near, far].map(siteOf);
	expect(sites).toEqual([`/srv/app/slots.js:1:${first + 1}`, `/srv/app/slots.js:1:${first + 257}`, `/srv/app/slots.js:1:${first + 1}`, `/srv/app/slots.js:1:${first + 257}`]);
});

test('the same position in two scripts, taken in turn, keeps each script its own file', () => {
	const source = '(take) => take({})';
	const alpha = runInThisContext(source, { filename: '/srv/app/alpha.js' }) as Take;
	const bravo = runInThisContext(source, { filename: '/srv/app/bravo.js' }) as Take;
	const sites = [alpha, bravo, alpha, bravo].map(siteOf);
	expect(sites).toEqual(['/srv/app/alpha.js:1:11', '/srv/app/bravo.js:1:11', '/srv/app/alpha.js:1:11', '/srv/app/bravo.js:1:11']);
});
