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

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * One `# HELP`, one `# TYPE` and one sample line per metric; `labels` (e.g. a cluster
 * instance id) go on every sample.
 */
export function renderPrometheusText(
  samples: readonly MetricSample[],
  labels: Readonly<Record<string, string>> = {},
): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL.test(name)) throw new RangeError(`bad label name ${name}`);
    return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  });
  const suffix = pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
  let text = '';
  for (const sample of samples) {
    if (!NAME.test(sample.name)) throw new RangeError(`bad metric name ${sample.name}`);
    const help = sample.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    text += `# HELP ${sample.name} ${help}\n# TYPE ${sample.name} ${sample.type}\n`;
    text += `${sample.name}${suffix} ${formatValue(sample.value)}\n`;
  }
  return text;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
