import { createMyPlatform } from '../../platform/my-platform';
import { createOrdersPage } from './page';

Page(createOrdersPage(createMyPlatform()));
