import { configure } from '@testing-library/react';
import '@testing-library/jest-dom';

// The machines that run CI have two cores shared by many test workers; give
// asynchronous queries more than the default one second before failing.
configure({ asyncUtilTimeout: 5000 });
