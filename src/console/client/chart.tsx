// Time-series charts (uPlot, drawn on a canvas) with a text summary for screen readers.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Line {
  label: string;
  color: string;
  values: (number | null)[];
  dash?: number[];
}

/** A line chart over `times` (epoch seconds); `summary` is what assistive technology reads instead. */
export function TimeChart({
  title,
  times,
  lines,
  unit,
  summary,
}: {
  title: string;
  times: number[];
  lines: Line[];
  unit: string;
  summary: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 220,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { stroke: "#3d4752", grid: { stroke: "#e3e7eb" } },
          { stroke: "#3d4752", grid: { stroke: "#e3e7eb" }, label: unit, size: 56 },
        ],
        series: [
          {},
          ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash, points: { show: false } })),
        ],
      },
      [times, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, lines, unit]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${summary}`} />
    </figure>
  );
}
