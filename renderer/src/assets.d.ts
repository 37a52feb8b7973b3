/** Sound files imported by the renderer: Vite emits them beside the page and gives their URL. */
declare module '*.wav' {
  const url: string;
  export default url;
}
