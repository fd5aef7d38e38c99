// SVG files are imported as strings (the JupyterLab builder's raw loader does this).
declare module '*.svg' {
  const value: string;
  export default value;
}
