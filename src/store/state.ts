// The studio's zustand store, composed of the slices in <feature>/slice.ts (model, task, training,
// runs, ui). Components read it with `useStudio(selector)`; everything that changes it lives in
// <feature>/actions.ts, outside React, so worker events (engineBridge.ts) reach it without hooks.
import { create } from 'zustand';
import { initialModel, type ModelSlice } from './model/slice';
import { initialTask, type TaskSlice } from './task/slice';
import { initialTraining, type TrainingSlice } from './training/slice';
import { initialRuns, type RunsSlice } from './runs/slice';
import { initialUi, type UiSlice } from './ui/slice';

export type StudioState = ModelSlice & TaskSlice & TrainingSlice & RunsSlice & UiSlice;

export const useStudio = create<StudioState>()(() => ({
  ...initialModel,
  ...initialTask,
  ...initialTraining,
  ...initialRuns,
  ...initialUi,
}));

export const getState = useStudio.getState;
export const setState = useStudio.setState;
