import { createMyPlatform } from '../../platform/my-platform';
import { createWebviewPage } from './page';

Page(createWebviewPage(createMyPlatform()));
