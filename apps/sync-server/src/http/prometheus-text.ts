/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a handful of
 * numbers does not justify a metrics library, and the format is three line kinds.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricSample {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total` by convention. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** One `# HELP`, one `# TYPE` and one sample line per metric. */
export function renderPrometheusText(samples: readonly MetricSample[]): string {
  let text = '';
  for (const sample of samples) {
    if (!NAME.test(sample.name)) throw new RangeError(`bad metric name ${sample.name}`);
    const help = sample.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    text += `# HELP ${sample.name} ${help}\n# TYPE ${sample.name} ${sample.type}\n`;
    text += `${sample.name} ${formatValue(sample.value)}\n`;
  }
  return text;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
