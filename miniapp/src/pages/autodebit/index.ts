import { createMyPlatform } from '../../platform/my-platform';
import { createAutodebitPage } from './page';

Page(createAutodebitPage(createMyPlatform()));
