import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { theme } from './managers/theme.svelte';

// Before the first paint, so a dark-mode user never sees a white flash.
document.documentElement.dataset.theme = theme.effective;

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');
export default mount(App, { target });
