// One chart of the dashboard as inline SVG: bars (counts per bucket) or a line (a level, such as
// sessions open), one or two series. Accessible three ways: the figure's caption names it, the SVG
// is an image whose label says the total and the peak in words, and the numbers are a table under
// "Show the numbers". Colours come from the stylesheet (light and dark), never inline styles (CSP).

export interface Series {
  key: string;
  label: string;
  /** `one` or `two`: the stylesheet's series colours. */
  tone: 'one' | 'two';
}

export type Point = Record<string, number> & { at: number };

const W = 600;
const H = 160;

function roundUp(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export function Chart(props: {
  id: string;
  title: string;
  unit: string;
  kind: 'bars' | 'line';
  series: Series[];
  points: Point[];
  label: (at: number) => string;
}) {
  const { points, series } = props;
  const peak = Math.max(0, ...points.flatMap((p) => series.map((s) => p[s.key] ?? 0)));
  const top = roundUp(peak);
  const y = (v: number) => H - (v / top) * H;
  const step = points.length > 0 ? W / points.length : W;
  const summary = series
    .map((s) => {
      const values = points.map((p) => p[s.key] ?? 0);
      const most = Math.max(0, ...values);
      const at = points[values.indexOf(most)]?.at;
      if (props.kind === 'line') {
        return `${s.label}: ${values.at(-1) ?? 0} now, at most ${most}`;
      }
      const total = values.reduce((a, b) => a + b, 0);
      return `${s.label}: ${total} in all${most > 0 && at !== undefined ? `, most ${most} at ${props.label(at)}` : ''}`;
    })
    .join('; ');
  const bar = Math.max(1, step / series.length - 2);
  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`}>
        {props.title}
        {series.length > 1 && (
          <span class="legend">
            {series.map((s) => (
              <span key={s.key} class={`key ${s.tone}`}>
                {s.label}
              </span>
            ))}
          </span>
        )}
      </figcaption>
      <div class="plot">
        <span class="axis-top" aria-hidden="true">
          {top}
        </span>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${props.title}. ${summary}.`}
        >
          <line class="grid" x1="0" x2={W} y1={H / 2} y2={H / 2} />
          <line class="baseline" x1="0" x2={W} y1={H} y2={H} />
          {props.kind === 'bars'
            ? series.map((s, i) =>
                points.map((p, j) => {
                  const v = p[s.key] ?? 0;
                  return v > 0 ? (
                    <rect
                      key={`${s.key}-${p.at}`}
                      class={`bar ${s.tone}`}
                      x={j * step + 1 + i * (bar + 1)}
                      y={y(v)}
                      width={bar}
                      height={H - y(v)}
                    />
                  ) : null;
                }),
              )
            : series.map((s) => (
                <polyline
                  key={s.key}
                  class={`line ${s.tone}`}
                  points={points.map((p, j) => `${j * step + step / 2},${y(p[s.key] ?? 0)}`).join(' ')}
                />
              ))}
        </svg>
      </div>
      <div class="axis-x" aria-hidden="true">
        <span>{points[0] ? props.label(points[0].at) : ''}</span>
        <span>
          {points.length > 2 ? props.label((points[Math.floor(points.length / 2)] as Point).at) : ''}
        </span>
        <span>{points.length > 1 ? props.label((points.at(-1) as Point).at) : ''}</span>
      </div>
      <details>
        <summary>
          Show the numbers<span class="sr-only"> of {props.title}</span>
        </summary>
        <table>
          <caption class="sr-only">
            {props.title}, {props.unit}
          </caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.at}>
                <th scope="row">{props.label(p.at)}</th>
                {series.map((s) => (
                  <td key={s.key}>{p[s.key] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
