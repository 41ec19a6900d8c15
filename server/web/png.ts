// png.ts — a chart's SVG rendered to PNG for download, with resvg (@resvg/resvg-js: Rust's resvg
// compiled per platform and shipped inside npm packages, nothing downloaded at install).
//
// Guarantees: the PNG is drawn from exactly the SVG the SVG download serves, at twice its size,
// on white; text uses the machine's fonts (DejaVu Sans when present: the image installs
// fonts-dejavu-core), and the file loads nothing (resvg does not fetch external resources, and the
// SVG has none). The renderer is loaded on first use, so a server whose platform has no resvg
// build still serves everything else (the PNG route then answers 503).
let renderer: Promise<typeof import('@resvg/resvg-js')> | undefined;

export async function svgToPng(svg: string): Promise<Buffer> {
  renderer ??= import('@resvg/resvg-js');
  const { Resvg } = await renderer;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}
