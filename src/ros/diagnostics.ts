// /diagnostics: what the node reports every diagnostics_period_s (NodeStats gathers the numbers).
import type { LoadedConfig } from '../pipeline/config.js';
import type { Frontend } from '../pipeline/assemble.js';
import type { LiveSession } from './live-session.js';
import { toDiagnosticArrayMsg } from './messages.js';
import type { DiagnosticContext, NodeStats } from './node-stats.js';
import type { Publisher, RosPort } from './port.js';

/** What the report names besides the counters: mode, input, map and models in use. */
export function diagnosticContext(
  mode: string,
  imageTopic: string,
  c: { session: LiveSession; frontend: Frontend; loaded: LoadedConfig },
): DiagnosticContext {
  return {
    mode,
    imageTopic,
    mapId: c.session.mapId,
    mapSize: c.session.map.size,
    model: c.frontend.identity.encoder.id,
    executionProvider: c.frontend.frameEncoder.provider,
    matcher: c.loaded.config.matcher.kind,
  };
}

/** Ends the stats' period and publishes it as one DiagnosticStatus. Throws when publishing fails. */
export function publishDiagnostics(port: RosPort, publisher: Publisher, stats: NodeStats, context: DiagnosticContext): void {
  const now = port.now();
  const report = stats.report(now, context);
  publisher.publish(
    toDiagnosticArrayMsg({
      stamp: now,
      name: `${port.nodeName}: place recognition`,
      hardwareId: port.nodeName,
      level: report.level,
      message: report.message,
      values: report.values,
    }),
  );
}
