// Stylesheets are imported for their side effect: esbuild gathers them into out/renderer/app.css.
declare module '*.css';
// Text imported with `with { type: 'text' }` (esbuild inlines it): speedscope's index.html.
declare module '*.html' {
  const text: string;
  export default text;
}
