import { reportAtExit } from './exit-report.js';
import { watchCollections } from './gc-leaks.js';
import { installHost, type Host } from './platform/host.js';
import { settings } from './settings.js';

/**
 * What every entry point does first: installs the runtime's host, reads the settings from its environment
 * (warning once about bad values), and starts the consumers of the record: the leak detector that watches
 * collections, and the exit report; then `traces`, what the runtime makes of the `trace` setting (`trace.ts`'s
 * `traceWhenAsked` where there are files, so that a page's bundle leaves the tracer out). Idempotent: a
 * second entry point loaded beside the first changes nothing.
 */
export function start(runtime: Host, traces: () => void): void {
	if (!installHost(runtime)) return;
	settings();
	watchCollections();
	reportAtExit();
	traces();
}
