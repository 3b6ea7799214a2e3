// Small SVG charts for the llmux dashboard: no library, no network. Each chart is an <svg> with a
// viewBox, so it scales to its box; strokes keep their width (non-scaling-stroke).

const svgNs = "http://www.w3.org/2000/svg";

/** An SVG element with attributes. */
function svg(tag, attributes = {}, children = []) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/** A readable number: 0, 0.35, 4.2, 17, 1.2k. */
export function shortNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const size = Math.abs(value);
  if (size >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (size >= 1000) return `${(value / 1000).toFixed(1)}k`;
  if (size >= 10 || Number.isInteger(value)) return value.toFixed(0);
  if (size >= 1) return value.toFixed(1);
  return value.toFixed(2);
}

/** A "nice" top of the scale at or above `max` (1, 2, 5 × 10ⁿ). */
function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The path of one series; null values break the line. */
function linePath(values, width, height, top) {
  const step = values.length > 1 ? width / (values.length - 1) : width;
  let path = "";
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null || value === undefined) {
      drawing = false;
      return;
    }
    const x = (index * step).toFixed(1);
    const y = (height - (Math.min(value, top) / top) * height).toFixed(1);
    path += `${drawing ? "L" : "M"}${x},${y}`;
    drawing = true;
  });
  return path;
}

/**
 * A line chart over the last 15 minutes.
 * @param {object} options
 * @param {string} options.title what it shows (the accessible name and the caption)
 * @param {{label: string, values: Array<number|null>, className: string}[]} options.series
 * @param {number} [options.max] a fixed top of the scale (100 for percentages)
 * @param {string} [options.unit] appended to the scale's numbers
 * @param {number} options.spanMinutes the time the values cover
 */
export function lineChart(options) {
  const width = 300;
  const height = 80;
  const all = options.series.flatMap((series) => series.values.filter((value) => value !== null));
  const top = options.max ?? niceMax(Math.max(0, ...all));
  const unit = options.unit ?? "";
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    class: "chart",
    role: "img",
    "aria-label": options.title,
  });
  chart.append(svg("title", {}, [options.title]));
  for (const fraction of [0.5, 1]) {
    const y = (height - fraction * height).toFixed(1);
    chart.append(svg("line", { x1: 0, x2: width, y1: y, y2: y, class: "grid" }));
  }
  for (const series of options.series) {
    const d = linePath(series.values, width, height, top);
    if (d) chart.append(svg("path", { d, class: `line ${series.className}` }));
  }
  const figure = document.createElement("figure");
  figure.className = "chart-box";
  const scale = document.createElement("div");
  scale.className = "scale";
  scale.textContent = `${shortNumber(top)}${unit}`;
  const axis = document.createElement("div");
  axis.className = "axis";
  const from = document.createElement("span");
  from.textContent = `−${options.spanMinutes} min`;
  const to = document.createElement("span");
  to.textContent = "now";
  axis.append(from, to);
  const caption = document.createElement("figcaption");
  caption.append(options.title);
  for (const series of options.series) {
    const key = document.createElement("span");
    key.className = `key ${series.className}`;
    const last = [...series.values].reverse().find((value) => value !== null);
    key.textContent = `${series.label} ${shortNumber(last ?? null)}${unit}`;
    caption.append(" ", key);
  }
  figure.append(caption, scale, chart, axis);
  return figure;
}
