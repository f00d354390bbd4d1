import { Controller, Get, Header } from '@nestjs/common';
import { FAVICON_SVG, renderDashboardPage } from './dashboard-page.js';

@Controller()
export class DashboardController {
  private readonly page = renderDashboardPage();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  dashboard(): string {
    return this.page;
  }

  // Browsers ask for /favicon.ico whatever the page links; a 404 there would be a failed request.
  @Get(['favicon.svg', 'favicon.ico'])
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'max-age=86400')
  favicon(): string {
    return FAVICON_SVG;
  }
}
