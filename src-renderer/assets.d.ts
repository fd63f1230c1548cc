// Stylesheets are imported for their side effect: esbuild gathers them into out/renderer/app.css.
declare module '*.css';
