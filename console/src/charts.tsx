import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Point {
  at: string;
  perSecond: number;
}

/** One small line chart of a rate (messages per second over time). */
export function RateChart({ name, points }: { name: string; points: Point[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const data: uPlot.AlignedData = [points.map((point) => Date.parse(point.at) / 1000), points.map((point) => point.perSecond)];
  useEffect(() => {
    const element = box.current!;
    const width = () => Math.max(200, Math.min(element.clientWidth, 560));
    chart.current = new uPlot({
      width: width(),
      height: 140,
      legend: { show: false },
      cursor: { show: false },
      series: [{}, { label: `${name} per second`, stroke: '#1f6feb', width: 2, fill: 'rgba(31,111,235,0.12)' }],
      axes: [{ size: 30 }, { size: 44 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    }, data, element);
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: width(), height: 140 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.current?.destroy();
    };
  }, [name]);
  useEffect(() => chart.current?.setData(data), [points]);
  const latest = points.at(-1)?.perSecond;
  return (
    <figure class="chart" data-testid={`chart-${name}`}>
      <figcaption>{name}: {latest === undefined ? 'no data' : `${latest.toFixed(1)}/s now`}</figcaption>
      <div ref={box} role="img" aria-label={`${name}: messages per second over the last minutes`} />
    </figure>
  );
}
