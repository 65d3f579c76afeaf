/**
 * Preload entry: `node --import reftrace/register app.js`.
 * Configured only by REFTRACE_* environment variables (read when reftrace loads): full tracking by
 * default, the exit report, a report on SIGINT/SIGTERM, and a live dump on SIGUSR2.
 */
import { installDumpSignal, installExitHook, installStopHandlers } from './exit-report.js';
import { nodeHost } from './platform/node.js';
import { start } from './start.js';
import { traceWhenAsked } from './trace.js';
import { closeTraceOnStop } from './trace.js';

start(nodeHost, traceWhenAsked);
installExitHook();
installStopHandlers();
installDumpSignal();
closeTraceOnStop();
