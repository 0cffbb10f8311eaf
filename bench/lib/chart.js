// A dependency-free SVG bar chart of the headline ratios, each bar with its target marked.

const esc = (s) => String(s).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Renders `bars` ({ label, value (a ratio), target? }) as horizontal bars in percent, a tick at each target;
 * green when the target is met, red when missed, grey when there is none. Returns the SVG text.
 */
export function barChart({ title, subtitle, bars }) {
  const labelWidth = 360;
  const plotWidth = 380;
  const rowHeight = 30;
  const top = 64;
  const width = labelWidth + plotWidth + 80;
  const height = top + bars.length * rowHeight + 40;
  const values = bars.flatMap((b) => [b.value ?? 0, b.target ?? 0]);
  const scaleMax = Math.max(1.2, ...values.map((v) => v * 1.1));
  const x = (ratio) => labelWidth + (Math.min(ratio, scaleMax) / scaleMax) * plotWidth;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="12" y="42" fill="#555555">${esc(subtitle)}</text>`,
  ];
  for (const pct of [0, 0.5, 1, 1.5, 2, 2.5, 3].filter((p) => p <= scaleMax)) {
    const gx = x(pct).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 30}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${gx}" y="${height - 14}" text-anchor="middle" fill="#777777">${pct * 100}%</text>`);
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const colour =
      bar.target === undefined ? '#8a8a8a' : (bar.value ?? 0) >= bar.target ? '#2e7d32' : '#c62828';
    out.push(`<text x="${labelWidth - 10}" y="${y + 15}" text-anchor="end">${esc(bar.label)}</text>`);
    if (bar.value === undefined) {
      out.push(`<text x="${labelWidth + 4}" y="${y + 15}" fill="#777777">not measured</text>`);
      return;
    }
    const w = Math.max(1, x(bar.value) - labelWidth).toFixed(1);
    out.push(
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 10}" fill="${colour}"/>`,
    );
    out.push(
      `<text x="${(x(bar.value) + 6).toFixed(1)}" y="${y + 15}">${(bar.value * 100).toFixed(0)}%</text>`,
    );
    if (bar.target !== undefined) {
      const tx = x(bar.target).toFixed(1);
      out.push(
        `<line x1="${tx}" y1="${y}" x2="${tx}" y2="${y + rowHeight - 4}" stroke="#000000" stroke-width="2"/>`,
      );
    }
  });
  out.push(
    `<text x="${width - 12}" y="22" text-anchor="end" fill="#555555">black tick = target</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
